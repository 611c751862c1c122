// Names for synthetic pupils and guardians. Common names in Sweden (SCB's name statistics give the flavour:
// children born 2010–2020 for pupils, people born 1965–1995 for guardians), plus names common among Swedish
// families with roots elsewhere, grouped by the language the pupil may study as modersmål.
// The lists are kept as blocks (prettier-ignore): one name a line would make them unreadable.

export interface GivenNames {
  readonly female: readonly string[];
  readonly male: readonly string[];
}

/** Given names of children born in Sweden 2008–2020. */
// prettier-ignore
export const SWEDISH_CHILD_NAMES: GivenNames = {
  female: [
    'Alice', 'Maja', 'Elsa', 'Vera', 'Selma', 'Ebba', 'Astrid', 'Alma', 'Olivia', 'Wilma',
    'Saga', 'Freja', 'Stella', 'Ella', 'Signe', 'Agnes', 'Ellen', 'Lilly', 'Molly', 'Nora',
    'Ines', 'Tyra', 'Juni', 'Iris', 'Edith', 'Lova', 'Ida', 'Elvira', 'Märta', 'Sigrid',
    'Majken', 'Hedda', 'Tilde', 'Ronja', 'Siri', 'Thea', 'Linnéa', 'Matilda', 'Klara', 'Julia',
    'Hanna', 'Ester', 'Greta', 'Ingrid', 'Svea', 'Hilma', 'Elin', 'Moa', 'Emilia', 'Nellie',
    'Meja', 'Cornelia', 'Isabelle', 'Vilda', 'Stina', 'Lo', 'Åsa', 'Märit', 'Solveig', 'Tove',
  ],
  male: [
    'William', 'Liam', 'Noah', 'Hugo', 'Lucas', 'Oliver', 'Elias', 'Oscar', 'Vincent', 'Alexander',
    'Adam', 'Leo', 'Theo', 'Nils', 'Charlie', 'Ludvig', 'Alfred', 'Arvid', 'Axel', 'Harry',
    'Melvin', 'Viggo', 'Sixten', 'Malte', 'Otto', 'Frans', 'Albin', 'Elton', 'Gustav', 'Edvin',
    'Valter', 'Wilhelm', 'Sigge', 'Ture', 'Folke', 'Måns', 'Björn', 'Algot', 'Loke', 'Isak',
    'Anton', 'Emil', 'Filip', 'Olle', 'Love', 'Sam', 'Henry', 'Jack', 'Ebbe', 'Kasper',
    'Melker', 'Sune', 'Tage', 'Holger', 'Casper', 'Vidar', 'Östen', 'Åke', 'Jöns', 'Tor',
  ],
};

/** Given names of adults born in Sweden 1965–1995. */
// prettier-ignore
export const SWEDISH_ADULT_NAMES: GivenNames = {
  female: [
    'Anna', 'Maria', 'Karin', 'Sara', 'Lena', 'Kristina', 'Åsa', 'Malin', 'Jenny', 'Linda',
    'Sofia', 'Helena', 'Johanna', 'Camilla', 'Jessica', 'Frida', 'Susanne', 'Ulrika', 'Annika', 'Therese',
    'Caroline', 'Elin', 'Ida', 'Hanna', 'Eva', 'Katarina', 'Cecilia', 'Louise', 'Josefin', 'Madeleine',
    'Petra', 'Sandra', 'Lisa', 'Anneli', 'Charlotte', 'Emelie', 'Marie', 'Pernilla', 'Jennie', 'Sofie',
    'Karolina', 'Emma', 'Mikaela', 'Märta', 'Lotta',
  ],
  male: [
    'Johan', 'Anders', 'Erik', 'Per', 'Lars', 'Mikael', 'Andreas', 'Peter', 'Thomas', 'Daniel',
    'Fredrik', 'Magnus', 'Jonas', 'Stefan', 'Marcus', 'Martin', 'Niklas', 'Patrik', 'Mattias', 'Henrik',
    'Joakim', 'Tobias', 'Christian', 'Robert', 'Björn', 'Jonathan', 'Simon', 'Viktor', 'Sebastian', 'Johannes',
    'Kristoffer', 'Rickard', 'Pontus', 'Mats', 'Jörgen', 'Håkan', 'Göran', 'Ola', 'Emil', 'David',
    'Oskar', 'Gustav', 'Linus', 'Jesper', 'Måns',
  ],
};

/** Common family names in Sweden. */
// prettier-ignore
export const SWEDISH_FAMILY_NAMES: readonly string[] = [
  'Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson',
  'Pettersson', 'Jonsson', 'Jansson', 'Hansson', 'Bengtsson', 'Jönsson', 'Lindberg', 'Jakobsson', 'Magnusson', 'Lindström',
  'Olofsson', 'Lindqvist', 'Lindgren', 'Berg', 'Axelsson', 'Bergström', 'Lundberg', 'Lind', 'Lundgren', 'Lundqvist',
  'Mattsson', 'Berglund', 'Fredriksson', 'Sandberg', 'Henriksson', 'Forsberg', 'Sjöberg', 'Wallin', 'Engström', 'Eklund',
  'Danielsson', 'Lundin', 'Håkansson', 'Björk', 'Bergman', 'Gunnarsson', 'Holm', 'Wikström', 'Samuelsson', 'Isaksson',
  'Fransson', 'Bergqvist', 'Nyström', 'Holmberg', 'Arvidsson', 'Löfgren', 'Söderberg', 'Nyberg', 'Blomqvist', 'Claesson',
  'Nordström', 'Mårtensson', 'Lundström', 'Viklund', 'Björklund', 'Eliasson', 'Pålsson', 'Berggren', 'Sandström', 'Nordin',
  'Ström', 'Åberg', 'Hermansson', 'Ekström', 'Holmgren', 'Sundberg', 'Hedlund', 'Dahlberg', 'Hellström', 'Sjögren',
  'Öberg', 'Åkesson', 'Ek', 'Hedberg', 'Sundström', 'Åström', 'Östlund', 'Falk', 'Blom', 'Strand',
];

/** Names common among Swedish families with roots in one language area; `language` as Skolverket names modersmål. */
export interface NameOrigin {
  readonly language: string;
  readonly female: readonly string[];
  readonly male: readonly string[];
  readonly family: readonly string[];
}

// prettier-ignore
export const OTHER_ORIGIN_NAMES: readonly NameOrigin[] = [
  {
    language: 'arabiska',
    female: ['Fatima', 'Maryam', 'Noor', 'Amira', 'Leila', 'Yasmin', 'Hiba', 'Rania', 'Sara', 'Lana'],
    male: ['Mohammed', 'Ali', 'Omar', 'Ahmad', 'Yusuf', 'Adam', 'Ibrahim', 'Hassan', 'Karim', 'Zakaria'],
    family: ['Ali', 'Mohammed', 'Hassan', 'Ahmed', 'Hussein', 'Ibrahim', 'Khalil', 'Saleh', 'Abdullah', 'Haddad'],
  },
  {
    language: 'somaliska',
    female: ['Hodan', 'Ayaan', 'Sagal', 'Hawa', 'Ifrah', 'Nasra', 'Amina'],
    male: ['Abdi', 'Mahad', 'Liban', 'Abdirahman', 'Yonis', 'Bashir', 'Hamza'],
    family: ['Abdi', 'Omar', 'Warsame', 'Mohamud', 'Farah', 'Osman', 'Jama', 'Nur'],
  },
  {
    language: 'persiska',
    female: ['Parisa', 'Shirin', 'Nazanin', 'Setareh', 'Darya', 'Yasaman'],
    male: ['Arian', 'Dariush', 'Kian', 'Reza', 'Amir', 'Sina'],
    family: ['Karimi', 'Hosseini', 'Ahmadi', 'Rahimi', 'Mohammadi', 'Rostami', 'Rezaei'],
  },
  {
    language: 'bosniska',
    female: ['Amra', 'Lejla', 'Emina', 'Ajla', 'Mirela', 'Lamija'],
    male: ['Emir', 'Adnan', 'Amar', 'Dino', 'Haris', 'Tarik'],
    family: ['Hodžić', 'Begić', 'Kovačević', 'Hadžić', 'Mehmedović', 'Delić'],
  },
  {
    language: 'polska',
    female: ['Zofia', 'Natalia', 'Aleksandra', 'Wiktoria', 'Agnieszka', 'Oliwia'],
    male: ['Jakub', 'Szymon', 'Kacper', 'Mateusz', 'Piotr', 'Wojciech'],
    family: ['Nowak', 'Zając', 'Wójcik', 'Kaczmarek', 'Mazur', 'Krawczyk'],
  },
  {
    language: 'finska',
    female: ['Aino', 'Helmi', 'Venla', 'Aada', 'Tiina', 'Päivi'],
    male: ['Eino', 'Onni', 'Väinö', 'Mikko', 'Jussi', 'Antti'],
    family: ['Virtanen', 'Korhonen', 'Nieminen', 'Mäkinen', 'Heikkinen', 'Koskinen', 'Laine'],
  },
  {
    language: 'vietnamesiska',
    female: ['Linh', 'Mai', 'Lan', 'Thu', 'Anh'],
    male: ['Minh', 'Duc', 'Nam', 'Khoa', 'Bao'],
    family: ['Nguyen', 'Tran', 'Le', 'Pham', 'Hoang'],
  },
  {
    language: 'tigrinja',
    female: ['Senait', 'Mebrat', 'Eden', 'Lidya', 'Selam'],
    male: ['Yonas', 'Samuel', 'Filmon', 'Abel', 'Semere'],
    family: ['Tesfay', 'Haile', 'Berhane', 'Gebremedhin', 'Kidane', 'Tekle'],
  },
  {
    language: 'turkiska',
    female: ['Elif', 'Zeynep', 'Ayşe', 'Defne', 'Ecrin'],
    male: ['Emre', 'Deniz', 'Can', 'Murat', 'Yusuf'],
    family: ['Yılmaz', 'Kaya', 'Demir', 'Çelik', 'Şahin', 'Öztürk'],
  },
  {
    language: 'kurdiska',
    female: ['Rojda', 'Dilan', 'Berfin', 'Nesrin', 'Zilan'],
    male: ['Baran', 'Rojhat', 'Azad', 'Alan', 'Dilshad'],
    family: ['Amin', 'Rashid', 'Aziz', 'Mustafa', 'Sulaiman'],
  },
  {
    language: 'spanska',
    female: ['Valentina', 'Camila', 'Isabella', 'Catalina', 'Sofía'],
    male: ['Mateo', 'Santiago', 'Diego', 'Sebastián', 'Tomás'],
    family: ['González', 'Rodríguez', 'Fernández', 'López', 'Martínez', 'Pérez'],
  },
];

/** Street names found in most Swedish towns. */
// prettier-ignore
export const STREET_NAMES: readonly string[] = [
  'Storgatan', 'Kungsgatan', 'Drottninggatan', 'Skolgatan', 'Kyrkogatan', 'Järnvägsgatan', 'Parkvägen', 'Björkvägen',
  'Lindvägen', 'Ekvägen', 'Tallvägen', 'Granvägen', 'Rönnvägen', 'Almvägen', 'Lönnvägen', 'Hasselvägen',
  'Sjövägen', 'Strandvägen', 'Ängsvägen', 'Ringvägen', 'Villavägen', 'Solvägen', 'Backvägen', 'Skogsvägen',
  'Idrottsvägen', 'Smedjegatan', 'Fabriksgatan', 'Hantverkargatan', 'Västra Långgatan', 'Östra Ringvägen',
  'Södra vägen', 'Norra vägen', 'Bergsgatan', 'Trädgårdsgatan', 'Klövervägen', 'Blåbärsstigen', 'Lingonstigen',
  'Hallonvägen', 'Vallmovägen', 'Prästgårdsgatan', 'Åsgatan', 'Älvgatan', 'Örnvägen', 'Mjölnarvägen',
];
